// POST /internal/sync: the spend sync for an external cron (Authorization: Bearer $CRON_SECRET).
// Runs the same job as the in-process scheduler and `npm run sync`; the database lease keeps
// concurrent triggers from running a connection twice.
import { createHash, timingSafeEqual } from "node:crypto";
import type { ActionFunctionArgs } from "@remix-run/node";
import { env } from "~/core/env.server";
import { runDueSyncs } from "~/features/spend/sync.server";

const digest = (value: string) => createHash("sha256").update(value).digest();

function authorized(request: Request, secret: string) {
  const match = /^Bearer (.+)$/.exec(request.headers.get("Authorization") ?? "");
  // Compare fixed-length digests so the comparison time says nothing about the secret.
  return match !== null && timingSafeEqual(digest(match[1]), digest(secret));
}

export const loader = () => new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });

export const action = async ({ request }: ActionFunctionArgs) => {
  const secret = env().CRON_SECRET;
  // Without a secret the endpoint does not exist: the in-process scheduler is in charge.
  if (!secret) return new Response("Not Found", { status: 404 });
  if (request.method !== "POST") return new Response("Method Not Allowed", { status: 405, headers: { Allow: "POST" } });
  if (!authorized(request, secret)) {
    return new Response("Unauthorized", { status: 401, headers: { "WWW-Authenticate": 'Bearer realm="internal"' } });
  }
  const { scheduled, runs } = await runDueSyncs();
  return Response.json(
    { scheduled: scheduled.length, runs: runs.map(({ runId, kind, status, requests, created, updated }) => ({ runId, kind, status, requests, created, updated })) },
    { headers: { "Cache-Control": "no-store" } },
  );
};
