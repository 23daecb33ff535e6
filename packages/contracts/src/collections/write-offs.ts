// Write-offs: small balances (automatic, below the practice's threshold), hardship (requested, then
// approved by a practice admin), bad debt (on agency referral); agency recoveries reverse bad debt.
import Type from 'typebox';
import { actionOnId, getById } from '../builders.js';
import { Cents, IsoDate, Nullable, operation, StringEnum, Timestamp, Uuid } from '../core.js';
import { accountReaders, accountWriters, collectionsAdmins } from './accounts.js';
import { writeOffReasons } from './events.js';

export const writeOffStatuses = ['requested', 'posted', 'rejected'] as const;

export const WriteOff = Type.Object({
  id: Uuid,
  guarantorId: Uuid,
  claimId: Nullable(Uuid),
  amountCents: Cents,
  reason: StringEnum(writeOffReasons),
  status: StringEnum(writeOffStatuses),
  /** The claims' balances it wrote off (once posted). */
  applications: Type.Array(Type.Object({ claimId: Uuid, amountCents: Cents })),
  on: IsoDate,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const requestWriteOff = operation({
  service: 'collections',
  name: 'write-off.request',
  summary: 'Ask for a hardship write-off of part of a balance; a practice admin approves it',
  http: { method: 'POST', path: '/v1/collections/write-offs', status: 201 },
  idempotency: 'required',
  roles: accountWriters,
  input: Type.Object(
    {
      guarantorId: Uuid,
      claimId: Type.Optional(Uuid),
      amountCents: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
      reason: StringEnum(['hardship'] as const),
    },
    { additionalProperties: false },
  ),
  output: WriteOff,
  errors: ['validation-failed', 'not-found', 'unprocessable'],
});

export const approveWriteOff = actionOnId({
  service: 'collections',
  name: 'write-off.approve',
  summary: 'Approve a hardship write-off: it posts',
  path: '/v1/collections/write-offs/{id}/approve',
  roles: collectionsAdmins,
  output: WriteOff,
  errors: ['not-found', 'conflict', 'unprocessable'],
});

export const rejectWriteOff = actionOnId({
  service: 'collections',
  name: 'write-off.reject',
  summary: 'Reject a hardship write-off',
  path: '/v1/collections/write-offs/{id}/reject',
  roles: collectionsAdmins,
  output: WriteOff,
  errors: ['not-found', 'conflict'],
});

export const getWriteOff = getById({
  service: 'collections',
  name: 'write-off.get',
  summary: 'A write-off',
  path: '/v1/collections/write-offs/{id}',
  roles: accountReaders,
  output: WriteOff,
});

export const writeOffOperations = [requestWriteOff, approveWriteOff, rejectWriteOff, getWriteOff] as const;
