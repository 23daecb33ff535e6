import { serviceInfo } from './info.js';

export const getInfo = serviceInfo('finance');

export const operations = [getInfo] as const;
export const events = [] as const;
