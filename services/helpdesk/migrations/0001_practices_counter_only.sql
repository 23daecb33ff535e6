-- The practice's agreement (entitlement, version, helpdesk terms) now lives in the kit's agreement view
-- (mso_agreements); helpdesk keeps only its ticket-number counter here.
ALTER TABLE "helpdesk"."practices" DROP COLUMN "entitled";--> statement-breakpoint
ALTER TABLE "helpdesk"."practices" DROP COLUMN "agreement_version";--> statement-breakpoint
ALTER TABLE "helpdesk"."practices" DROP COLUMN "terms";--> statement-breakpoint
ALTER TABLE "helpdesk"."practices" DROP COLUMN "updated_at";