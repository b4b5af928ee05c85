/**
 * Lights Out keeps all of its state in one DynamoDB table (on-demand):
 * string keys `pk`/`sk`, TTL attribute `expiresAt` (epoch seconds).
 * Each entity owns a `pk` prefix, e.g. `INSTANCE`, `SUB#<group>`, `AUDIT#<day>`,
 * `RUN#<id>`, so adapters never collide. The CDK stack and the tests create
 * the table from this description.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const;

/** Epoch seconds for the TTL attribute. */
export const ttlSeconds = (iso: string | Date): number =>
  Math.floor((typeof iso === 'string' ? Date.parse(iso) : iso.getTime()) / 1000);
