import prisma from "~/db.server";

export async function recordInstall(shop: string) {
  await prisma.shop.upsert({
    where: { shop },
    create: { shop },
    update: { uninstalledAt: null },
  });
}

/** Sessions go at once; the shop's data stays until shop/redact (48 h later). */
export async function recordUninstall(shop: string, at = new Date()) {
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { shop } }),
    prisma.shop.upsert({
      where: { shop },
      create: { shop, uninstalledAt: at },
      update: { uninstalledAt: at },
    }),
  ]);
}
