import type { HandlerBinding } from '@mso/kit';

export const remittanceHandlers: HandlerBinding[] = [];
