import prisma from "~/core/db.server";

export const loader = async () => {
  try {
    await prisma.$queryRaw`SELECT 1`;
    return new Response("OK", { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    console.error("healthcheck: database unreachable", error instanceof Error ? error.message : error);
    return new Response("DATABASE UNAVAILABLE", { status: 503 });
  }
};
