-- A checkout report per visitor: the key gains visitorId.
ALTER TABLE "OrderLink" DROP CONSTRAINT "OrderLink_pkey";
ALTER TABLE "OrderLink" ADD CONSTRAINT "OrderLink_pkey" PRIMARY KEY ("shop", "orderId", "visitorId");
