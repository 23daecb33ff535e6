import type { HandlerBinding } from '@mso/kit';

export const ediHandlers: HandlerBinding[] = [];
