// TikTok failures in the merchant's words, each with what to do next.
import { TikTokApiError } from "~/core/tiktok/errors";

export function merchantMessage(error: unknown): string {
  if (error instanceof TikTokApiError) {
    switch (error.kind) {
      case "auth":
        return "TikTok no longer accepts this app's access (the authorization was removed or expired). Click Reconnect TikTok and approve access again.";
      case "rate_limited":
        return "TikTok is limiting requests right now. Wait a minute and try again; nothing was lost.";
      case "retryable":
        return "TikTok could not be reached or had an error. Try again in a moment; nothing was saved.";
      case "unknown":
        return `TikTok answered with a code this app does not know (${error.code}): ${error.tiktokMessage}. Try again in a moment; if it keeps happening, contact support.`;
      case "invalid":
        if (error.code === 40001)
          return "Your TikTok user does not have admin access to this ad account. Ask the account owner to give you Admin access in TikTok Business Center, then refresh.";
        return `TikTok refused the request: ${error.tiktokMessage}`;
    }
  }
  return "Something went wrong on our side. Try again; if it keeps happening, contact support.";
}
