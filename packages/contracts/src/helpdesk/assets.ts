// Helpdesk contract: the practice's asset register (devices and software licences).
import Type, { type Static } from 'typebox';
import { IsoDate, Nullable, operation, Page, PageQuery, StringEnum, Timestamp, Uuid } from '../core.js';
import { allRoles, IdParam, msoAndPracticeAdmin, Text } from './common.js';

export const assetTypes = ['laptop', 'desktop', 'server', 'tablet', 'phone', 'printer', 'network-device', 'medical-device', 'software-licence', 'other'] as const;
export const assetStatuses = ['in-use', 'in-stock', 'in-repair', 'retired', 'lost', 'stolen'] as const;

const AssetFields = {
  name: Text(200),
  type: StringEnum(assetTypes),
  status: StringEnum(assetStatuses),
  manufacturer: Nullable(Type.String({ maxLength: 200 })),
  model: Nullable(Type.String({ maxLength: 200 })),
  /** Device serial number or licence number; unique within the practice. */
  serialNumber: Nullable(Type.String({ minLength: 1, maxLength: 200 })),
  /** The person the device or licence is assigned to. */
  assignedTo: Nullable(Type.String({ maxLength: 200 })),
  warrantyEndsOn: Nullable(IsoDate),
  /** Full-disk encryption; null where it does not apply (printers, licences). */
  diskEncrypted: Nullable(Type.Boolean()),
  /** Licences: seats bought. */
  seats: Nullable(Type.Integer({ minimum: 1 })),
  /** Licences: when the subscription ends. */
  expiresOn: Nullable(IsoDate),
  notes: Nullable(Type.String({ maxLength: 4000 })),
};

export const Asset = Type.Object({
  id: Uuid,
  practiceId: Uuid,
  ...AssetFields,
  /** Tickets linked to this asset that are not resolved or closed. */
  openTickets: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Asset = Static<typeof Asset>;

export const NewAsset = Type.Object(
  {
    name: AssetFields.name,
    type: AssetFields.type,
    status: Type.Optional(AssetFields.status),
    manufacturer: Type.Optional(AssetFields.manufacturer),
    model: Type.Optional(AssetFields.model),
    serialNumber: Type.Optional(AssetFields.serialNumber),
    assignedTo: Type.Optional(AssetFields.assignedTo),
    warrantyEndsOn: Type.Optional(AssetFields.warrantyEndsOn),
    diskEncrypted: Type.Optional(AssetFields.diskEncrypted),
    seats: Type.Optional(AssetFields.seats),
    expiresOn: Type.Optional(AssetFields.expiresOn),
    notes: Type.Optional(AssetFields.notes),
  },
  { additionalProperties: false },
);

export const createAsset = operation({
  service: 'helpdesk',
  name: 'asset.create',
  summary: 'Register a device or software licence',
  http: { method: 'POST', path: '/v1/helpdesk/assets', status: 201 },
  roles: msoAndPracticeAdmin,
  input: NewAsset,
  output: Asset,
  errors: ['validation-failed', 'conflict'],
});

export const listAssets = operation({
  service: 'helpdesk',
  name: 'asset.list',
  summary: "List the practice's assets, newest first",
  http: { method: 'GET', path: '/v1/helpdesk/assets' },
  roles: allRoles,
  input: Type.Object(
    {
      type: Type.Optional(StringEnum(assetTypes)),
      status: Type.Optional(StringEnum(assetStatuses)),
      assignedTo: Type.Optional(Text(200)),
      /** Warranty or licence ending on or before this date. */
      endingBy: Type.Optional(IsoDate),
      /** false: devices without disk encryption. */
      diskEncrypted: Type.Optional(Type.Boolean()),
      ...PageQuery,
    },
    { additionalProperties: false },
  ),
  output: Page(Asset),
  errors: ['validation-failed'],
});

export const getAsset = operation({
  service: 'helpdesk',
  name: 'asset.get',
  summary: 'Get an asset',
  http: { method: 'GET', path: '/v1/helpdesk/assets/{id}' },
  roles: allRoles,
  input: Type.Object(IdParam, { additionalProperties: false }),
  output: Asset,
  errors: ['not-found'],
});

export const updateAsset = operation({
  service: 'helpdesk',
  name: 'asset.update',
  summary: 'Change an asset (e.g. reassign it, or report it lost)',
  http: { method: 'PATCH', path: '/v1/helpdesk/assets/{id}' },
  roles: msoAndPracticeAdmin,
  input: Type.Object(
    {
      ...IdParam,
      ...NewAsset.properties,
      name: Type.Optional(AssetFields.name),
      type: Type.Optional(AssetFields.type),
    },
    { additionalProperties: false },
  ),
  output: Asset,
  errors: ['validation-failed', 'not-found', 'conflict'],
});
