export * from './core.js';
export { serviceInfo, ServiceInfo } from './info.js';
export { allOperations, allEvents } from './all.js';
