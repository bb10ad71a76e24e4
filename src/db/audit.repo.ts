/** The audit log: who did what, when. Never holds resident message text. */
import type { AuditAction, AuditActorKind } from "../domain/audit.ts";
import type { DbOrTx } from "./client.ts";

/** One audit entry. */
export interface AuditInput {
  gemeenteId?: string | null;
  actorStaffId?: string | null;
  actorKind: AuditActorKind;
  action: AuditAction;
  subjectType: string;
  subjectId?: string | null;
  data?: Record<string, unknown>;
  /** When it happened: the caller's clock, so that tests and one transaction share one time. */
  at: Date;
}

/** Records an audit event; the only writer of AuditEvent (the architecture test keeps it so). */
export async function recordAudit(db: DbOrTx, input: AuditInput): Promise<void> {
  await db.auditEvent.create({
    data: {
      gemeenteId: input.gemeenteId ?? null,
      actorStaffId: input.actorStaffId ?? null,
      actorKind: input.actorKind,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: input.subjectId ?? null,
      data: input.data ? JSON.stringify(input.data) : null,
      at: input.at,
    },
  });
}

/** The newest event of one action on one subject, with who did it (their display name, while the account exists); null when there is none. */
export async function findLatestAudit(db: DbOrTx, input: { action: AuditAction; subjectType: string; subjectId: string }) {
  return db.auditEvent.findFirst({
    where: { action: input.action, subjectType: input.subjectType, subjectId: input.subjectId },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    select: { at: true, actorKind: true, actorStaff: { select: { displayName: true } } },
  });
}
