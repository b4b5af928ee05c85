/** Who did what to which instance, when, and how it went. */
export interface AuditEntry {
  at: string;
  /** e.g. `slack:U123`, `teams:<aad-object-id>`, `cli:alice`. */
  actor: string;
  action: string;
  target: string;
  /** `ok`, `refused`, `error`, … */
  result: string;
  detail?: string;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  recent(limit: number): Promise<AuditEntry[]>;
}
