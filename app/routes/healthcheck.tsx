import { pingDatabase } from "~/core/db.server";

export const loader = async () => {
  try {
    await pingDatabase();
    return new Response("OK", { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    console.error("healthcheck: database unreachable", error instanceof Error ? error.message : error);
    return new Response("DATABASE UNAVAILABLE", { status: 503 });
  }
};
