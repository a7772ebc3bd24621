// TikTok-style failures inside the sandbox: thrown by handlers, turned into the envelope
// `{ code, message, request_id, data: {} }` by the server.

export class SandboxApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** TikTok answers most errors with HTTP 200; see server.ts for the exceptions we model. */
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

/** 40002: the message names the field, as TikTok's does. */
export const invalidField = (field: string, why: string) => new SandboxApiError(40002, `Invalid value for ${field}: ${why}`);
