// Without CRON_SECRET the internal sync route does not exist (the in-process scheduler is in
// charge). env() is read once per test file, so the secret is unset before the imports run.
import { action } from "~/routes/internal.sync";
import { APP_URL, call } from "../support/requests";

vi.hoisted(() => {
  delete process.env.CRON_SECRET;
});

it("answers 404 to any POST /internal/sync when CRON_SECRET is unset", async () => {
  const attempts: Record<string, string>[] = [{}, { Authorization: "Bearer " }, { Authorization: "Bearer undefined" }];
  for (const headers of attempts) {
    const res = await call(action, new Request(`${APP_URL}/internal/sync`, { method: "POST", headers }));
    expect(res.status).toBe(404);
  }
});
