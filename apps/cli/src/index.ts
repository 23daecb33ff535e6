export { allServices } from './services.js';
