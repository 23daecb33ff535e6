export { buildGateway, type GatewayOptions } from './app.js';
export { startPlatform, type Platform, type PlatformOptions } from './platform.js';
export { gatewayLimitsFromEnv, defaultGatewayLimits, type GatewayLimits } from './guards.js';
