CREATE TABLE "tenancy"."audit_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"service" text NOT NULL,
	"operation" text NOT NULL,
	"access" text NOT NULL,
	"principal_id" text NOT NULL,
	"principal_role" text NOT NULL,
	"practice_id" text,
	"resource_ids" text[] NOT NULL,
	"outcome" text NOT NULL,
	"problem_code" text,
	"trace_id" text,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenancy"."agreements" ADD COLUMN "time_zone" text;--> statement-breakpoint
CREATE INDEX "audit_events_practice_at" ON "tenancy"."audit_events" USING btree ("practice_id","at","id");--> statement-breakpoint
CREATE INDEX "audit_events_at" ON "tenancy"."audit_events" USING btree ("at","id");--> statement-breakpoint
CREATE FUNCTION "tenancy"."audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND OLD.at < now() - interval '6 years' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'tenancy.audit_events is append-only (rows are deleted only after the 6-year retention)' USING ERRCODE = 'insufficient_privilege';
END
$$;--> statement-breakpoint
CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "tenancy"."audit_events" FOR EACH ROW EXECUTE FUNCTION "tenancy"."audit_events_append_only"();
