// The app's one mail transport: nodemailer over SMTP_URL (docs/decisions/0025-alerts.md).
// Unset SMTP_URL: no transport, and alerts are shown in the app only.
import { createTransport } from "nodemailer";
import { env } from "~/core/env.server";

type Transport = ReturnType<typeof createTransport>;
let transport: Transport | undefined;
let transportUrl: string | undefined;

export const mailConfigured = () => Boolean(env().SMTP_URL);

function currentTransport(): Transport {
  const url = env().SMTP_URL;
  if (!url) throw new Error("SMTP_URL is not set");
  if (!transport || transportUrl !== url) {
    // Short timeouts: a mail server that hangs must not hold the alert job (or a Settings click) for minutes.
    transport = createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 });
    transportUrl = url;
  }
  return transport;
}

type MailMessage = { to: string; subject: string; text: string; html: string };

/** Sends one message; resolves with the server's final answer, rejects with its error. */
export async function sendMail(message: MailMessage): Promise<{ response: string; messageId: string }> {
  const info = await currentTransport().sendMail({ from: env().ALERT_EMAIL_FROM, ...message });
  return { response: String(info.response ?? ""), messageId: String(info.messageId ?? "") };
}

/** A transport error as the merchant may read it: never the SMTP URL or its credentials. */
export function describeMailError(error: unknown): string {
  const e = error as { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown };
  const parts = [
    typeof e?.responseCode === "number" ? `${e.responseCode}` : null,
    typeof e?.response === "string" ? e.response : typeof e?.message === "string" ? e.message : String(error),
    typeof e?.code === "string" ? `(${e.code})` : null,
  ].filter(Boolean);
  let text = parts.join(" ");
  const url = env().SMTP_URL;
  if (url) {
    const u = new URL(url);
    for (const secret of [url, u.password, decodeURIComponent(u.password)]) if (secret) text = text.split(secret).join("***");
  }
  return text.slice(0, 300);
}
