// Helpdesk contract: the practice's asset register (devices and software licences).
import Type, { type Static } from 'typebox';
import { getById, listPage, updateById } from '../builders.js';
import { IsoDate, Nullable, operation, StringEnum, Timestamp, Uuid } from '../core.js';
import { allRoles, msoAndPracticeAdmin, Text } from './common.js';

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

export const listAssets = listPage({
  service: 'helpdesk',
  name: 'asset.list',
  summary: "List the practice's assets, newest first",
  path: '/v1/helpdesk/assets',
  roles: allRoles,
  filters: {
    type: Type.Optional(StringEnum(assetTypes)),
    status: Type.Optional(StringEnum(assetStatuses)),
    assignedTo: Type.Optional(Text(200)),
    /** Warranty or licence ending on or before this date. */
    endingBy: Type.Optional(IsoDate),
    /** false: devices without disk encryption. */
    diskEncrypted: Type.Optional(Type.Boolean()),
  },
  item: Asset,
  errors: ['validation-failed'],
});

export const getAsset = getById({
  service: 'helpdesk',
  name: 'asset.get',
  summary: 'Get an asset',
  path: '/v1/helpdesk/assets/{id}',
  roles: allRoles,
  output: Asset,
});

export const updateAsset = updateById({
  service: 'helpdesk',
  name: 'asset.update',
  summary: 'Change an asset (e.g. reassign it, or report it lost)',
  path: '/v1/helpdesk/assets/{id}',
  roles: msoAndPracticeAdmin,
  body: {
    ...NewAsset.properties,
    name: Type.Optional(AssetFields.name),
    type: Type.Optional(AssetFields.type),
  },
  output: Asset,
  errors: ['validation-failed', 'not-found', 'conflict'],
});
