-- The hourly coverage-drop check counts each shop's sent events by sentAt (alerts/detect.server.ts)
CREATE INDEX "OutboxEvent_shop_status_sentAt_idx" ON "OutboxEvent"("shop", "status", "sentAt");
