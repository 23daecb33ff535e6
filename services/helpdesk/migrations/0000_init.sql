CREATE SCHEMA IF NOT EXISTS "helpdesk";
--> statement-breakpoint
CREATE TABLE "helpdesk"."assets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"status" text NOT NULL,
	"manufacturer" text,
	"model" text,
	"serial_number" text,
	"assigned_to" text,
	"warranty_ends_on" date,
	"disk_encrypted" boolean,
	"seats" integer,
	"expires_on" date,
	"notes" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "helpdesk"."history" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "helpdesk"."history_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"practice_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"action" text NOT NULL,
	"changes" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "helpdesk"."incident_deadlines" (
	"ticket_id" uuid NOT NULL,
	"practice_id" uuid NOT NULL,
	"recipient" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"warn_at" timestamp with time zone NOT NULL,
	"warned_at" timestamp with time zone,
	"missed_at" timestamp with time zone,
	"notified_at" timestamp with time zone,
	"check_at" timestamp with time zone,
	CONSTRAINT "incident_deadlines_ticket_id_recipient_pk" PRIMARY KEY("ticket_id","recipient")
);
--> statement-breakpoint
CREATE TABLE "helpdesk"."incidents" (
	"ticket_id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"discovered_at" timestamp with time zone NOT NULL,
	"risk_assessment" jsonb,
	"phi_encrypted" boolean NOT NULL,
	"exception" text,
	"individuals_affected" integer,
	"reportable" boolean NOT NULL,
	"determination" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "helpdesk"."messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"ticket_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"body" text NOT NULL,
	"author_id" text NOT NULL,
	"author_role" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "helpdesk"."practices" (
	"practice_id" uuid PRIMARY KEY NOT NULL,
	"entitled" boolean NOT NULL,
	"agreement_version" integer NOT NULL,
	"terms" jsonb,
	"next_ticket_number" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "helpdesk"."tickets" (
	"id" uuid PRIMARY KEY NOT NULL,
	"practice_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"subject" text NOT NULL,
	"description" text NOT NULL,
	"category" text NOT NULL,
	"priority" text NOT NULL,
	"status" text NOT NULL,
	"requester_id" text NOT NULL,
	"requester_role" text NOT NULL,
	"requester_name" text,
	"requester_email" text,
	"requester_phone" text,
	"assignee" text,
	"asset_id" uuid,
	"source" text NOT NULL,
	"external_ref" text,
	"sla_tier" text NOT NULL,
	"sla_business_hours" boolean NOT NULL,
	"fr_target_ms" bigint NOT NULL,
	"res_target_ms" bigint NOT NULL,
	"consumed_ms" bigint NOT NULL,
	"running_since" timestamp with time zone,
	"paused_at" timestamp with time zone,
	"fr_due_at" timestamp with time zone NOT NULL,
	"fr_warn_at" timestamp with time zone NOT NULL,
	"fr_met_at" timestamp with time zone,
	"fr_elapsed_ms" bigint,
	"fr_breached_at" timestamp with time zone,
	"fr_warned_at" timestamp with time zone,
	"res_due_at" timestamp with time zone NOT NULL,
	"res_warn_at" timestamp with time zone NOT NULL,
	"res_met_at" timestamp with time zone,
	"res_elapsed_ms" bigint,
	"res_breached_at" timestamp with time zone,
	"res_warned_at" timestamp with time zone,
	"sla_check_at" timestamp with time zone,
	"escalations" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "helpdesk"."history" ADD CONSTRAINT "history_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "helpdesk"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "helpdesk"."incident_deadlines" ADD CONSTRAINT "incident_deadlines_ticket_id_incidents_ticket_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "helpdesk"."incidents"("ticket_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "helpdesk"."incidents" ADD CONSTRAINT "incidents_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "helpdesk"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "helpdesk"."messages" ADD CONSTRAINT "messages_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "helpdesk"."tickets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "assets_practice_serial" ON "helpdesk"."assets" USING btree ("practice_id","serial_number");--> statement-breakpoint
CREATE INDEX "assets_practice_created" ON "helpdesk"."assets" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE INDEX "history_ticket" ON "helpdesk"."history" USING btree ("practice_id","ticket_id","seq");--> statement-breakpoint
CREATE INDEX "incident_deadlines_check" ON "helpdesk"."incident_deadlines" USING btree ("check_at") WHERE "helpdesk"."incident_deadlines"."check_at" is not null;--> statement-breakpoint
CREATE INDEX "messages_ticket" ON "helpdesk"."messages" USING btree ("practice_id","ticket_id","created_at","id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_practice_number" ON "helpdesk"."tickets" USING btree ("practice_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_practice_external_ref" ON "helpdesk"."tickets" USING btree ("practice_id","external_ref");--> statement-breakpoint
CREATE INDEX "tickets_practice_created" ON "helpdesk"."tickets" USING btree ("practice_id","created_at","id");--> statement-breakpoint
CREATE INDEX "tickets_practice_status" ON "helpdesk"."tickets" USING btree ("practice_id","status");--> statement-breakpoint
CREATE INDEX "tickets_practice_asset" ON "helpdesk"."tickets" USING btree ("practice_id","asset_id");--> statement-breakpoint
CREATE INDEX "tickets_sla_check" ON "helpdesk"."tickets" USING btree ("sla_check_at") WHERE "helpdesk"."tickets"."sla_check_at" is not null;