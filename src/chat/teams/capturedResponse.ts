/**
 * The Agents SDK writes its answers to an Express-style response. Lights Out
 * serves Teams from node:http and from Lambda, so both the token check and the
 * activity handler hand the SDK this stand-in and decide themselves what goes
 * on the wire.
 */
export interface CapturedResponse {
  /** The status the SDK set; 200 unless it said otherwise. */
  status: number;
  /** What the SDK sent, if anything. */
  body: unknown;
}

export function captureResponse() {
  const captured: CapturedResponse = { status: 200, body: undefined };
  const res = {
    headersSent: false,
    writableEnded: false,
    status(code: number) {
      captured.status = code;
      return res;
    },
    setHeader: () => res,
    send(value: unknown) {
      captured.body = value;
      return res;
    },
    end() {
      res.writableEnded = true;
      return res;
    },
  };
  return { res, captured };
}
