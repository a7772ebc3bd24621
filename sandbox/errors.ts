// Failures inside the sandbox. Two kinds, kept apart on purpose:
// - SandboxApiError: a refusal TikTok's own sources back (a code from tiktok_code.py, answered
//   with HTTP 200 and the envelope, the only answer TikTok's specs describe);
// - SandboxLimit: a value the sandbox does not model. It is answered with HTTP 501 and
//   `code: null`, and its message says so, so nobody mistakes it for TikTok's verdict.

export class SandboxApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** TikTok's specs (yml_files/*.yml) describe HTTP 200 only; faults can choose another. */
    readonly httpStatus = 200,
  ) {
    super(message);
  }
}

export class SandboxLimit extends Error {
  constructor(what: string) {
    super(`Sandbox limit, not a TikTok answer: ${what}`);
  }
}

/** 40002 (PARAM_ERROR): the message names the field. */
export const invalidField = (field: string, why: string) => new SandboxApiError(40002, `Invalid value for ${field}: ${why}`);
