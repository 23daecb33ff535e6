import type { HandlerBinding } from '@mso/kit';

export const claimHandlers: HandlerBinding[] = [];
