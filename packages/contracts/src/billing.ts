import { serviceInfo } from './info.js';

export const getInfo = serviceInfo('billing');

export const operations = [getInfo] as const;
export const events = [] as const;
