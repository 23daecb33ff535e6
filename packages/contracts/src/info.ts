import Type from 'typebox';
import { everyone, operation, type BusinessService } from './core.js';

export const ServiceInfo = Type.Object({
  service: Type.String(),
  version: Type.String(),
  /** The process instance that answered (copies of a service share requests). */
  instance: Type.String(),
  practiceId: Type.String(),
});

/**
 * Every business service answers `GET /v1/<service>/info` for an entitled practice: a cheap way for a
 * practice's system to check it can reach the service, and which version runs. The kit implements it.
 */
export function serviceInfo(service: BusinessService) {
  return operation({
    service,
    name: 'info.get',
    summary: `Version and instance of the ${service} service`,
    http: { method: 'GET', path: `/v1/${service}/info` },
    scope: 'practice',
    roles: everyone,
    input: Type.Object({}, { additionalProperties: false }),
    output: ServiceInfo,
  });
}
