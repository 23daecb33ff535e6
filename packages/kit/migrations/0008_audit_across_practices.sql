-- Uses of the MSO-wide path past the tenant wall (`ctx.acrossPractices`, packages/kit/src/tenant-wall.ts)
-- are audit records too (access 'across-practices'): the reason given for each.
ALTER TABLE mso_audit ADD COLUMN IF NOT EXISTS reason text;
