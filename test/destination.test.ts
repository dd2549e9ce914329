/** Webhook destinations outside development: public https hosts only (a pure rule, no Worker needed). */
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import app from "../src/index";
import { refusedDestination } from "../src/webhooks/destination";
import { createShop } from "./helpers";

describe("webhook destinations", () => {
  it("accepts public https hosts and addresses", () => {
    for (const url of ["https://hooks.example.com/tillsafe", "https://api.merchant.com.au:8443/x?y=1", "https://8.8.8.8/hook", "https://[2606:4700::1111]/hook"]) {
      expect(refusedDestination(url)).toBeNull();
    }
  });

  it("refuses http, credentials and anything inside a network", () => {
    expect(refusedDestination("http://hooks.example.com/x")).toBe("A webhook URL must use https");
    expect(refusedDestination("https://user:pw@hooks.example.com/x")).toBe("A webhook URL may not carry credentials");
    const internal = [
      "https://localhost/x",
      "https://api.localhost/x",
      "https://printer.local/x",
      "https://billing.internal/x",
      "https://intranet/x",
      "https://127.0.0.1/x",
      "https://10.1.2.3/x",
      "https://172.16.0.1/x",
      "https://172.31.255.255/x",
      "https://192.168.1.1/x",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/x",
      "https://0.0.0.0/x",
      "https://224.0.0.1/x",
      "https://[::1]/x",
      "https://[fd00::1]/x",
      "https://[fe80::1]/x",
      "https://[::ffff:127.0.0.1]/x",
      "https://[::ffff:10.0.0.1]/x",
      "https://2130706433/x", // 127.0.0.1 written as one number: the URL parser turns it into 127.0.0.1
      "https://0x7f.1/x",
      // IPv6 forms with an IPv4 address inside, and other special IPv6 ranges.
      "https://[::127.0.0.1]/x",
      "https://[::10.0.0.1]/x",
      "https://[::ffff:0:127.0.0.1]/x",
      "https://[::ffff:0:a9fe:a9fe]/x",
      "https://[64:ff9b::127.0.0.1]/x",
      "https://[64:ff9b::a9fe:a9fe]/x",
      "https://[2002:7f00:1::]/x",
      "https://[2002:c0a8:101::1]/x",
      "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/x",
      "https://[::]/x",
      "https://[ff02::1]/x",
      "https://[fec0::1]/x",
      "https://[100::1]/x",
      "https://198.18.0.1/x",
      "https://255.255.255.255/x",
      "https://240.0.0.1/x",
    ];
    for (const url of internal) expect(refusedDestination(url), url).toMatch(/public (address|host)/);
    expect(refusedDestination("https://172.32.0.1/x")).toBeNull();
    expect(refusedDestination("not a url")).toBe("The webhook URL is not a valid URL");
  });

  it("outside development the route refuses an internal URL with a 400 and stores nothing", async () => {
    const shop = await createShop();
    const production = { ...env, ENVIRONMENT: "production" };
    const create = (url: string) =>
      app.fetch(
        new Request("https://tillsafe.test/v1/webhook-endpoints", {
          method: "POST",
          headers: { authorization: `Bearer ${shop.secret}`, "content-type": "application/json" },
          body: JSON.stringify({ url, events: ["operation.confirmed"] }),
        }),
        production,
        createExecutionContext(),
      );
    const refused = await create("https://169.254.169.254/latest/meta-data");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "invalid_request", message: "A webhook URL must point to a public address", details: { field: "url" } } });
    const count = () => env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_endpoints WHERE tenant_id = ?").bind(shop.tenantId).first<{ n: number }>();
    expect((await count())!.n).toBe(0);
    const accepted = await create("https://hooks.example.com/tillsafe");
    expect(accepted.status).toBe(201);
    expect((await count())!.n).toBe(1);
  });
});
