import { serviceInfo } from './info.js';

export const getInfo = serviceInfo('helpdesk');

export const operations = [getInfo] as const;
export const events = [] as const;
