import type { HandlerBinding, JobDefinition } from '@mso/kit';

export const workHandlers: HandlerBinding[] = [];

export const workJobs: JobDefinition[] = [];
