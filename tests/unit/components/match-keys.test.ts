import { matchKeysText } from "~/components/MatchKeys";
import { withoutRequestId } from "~/components/OrderEventItem";

describe("Events page wording", () => {
  it("names match keys in plain words, the main three always, with ✓ or ✗", () => {
    expect(matchKeysText(["email", "phone", "ttclid", "external_id", "ip", "user_agent"])).toBe("Email ✓ Phone ✓ Click ✓ · also Visitor ID, IP address, Browser");
    expect(matchKeysText(["email"])).toBe("Email ✓ Phone ✗ Click ✗");
    expect(matchKeysText([])).toBe("Email ✗ Phone ✗ Click ✗");
  });

  it("keeps TikTok's request id out of the list's messages", () => {
    expect(withoutRequestId("Invalid pixel code (request 2030031012345)")).toBe("Invalid pixel code");
    expect(withoutRequestId("Rate limited")).toBe("Rate limited");
  });
});
