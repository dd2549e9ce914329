import type { Env } from "../env";
import { DevOutboxSender } from "../db/dev-sms";
import type { SmsSender } from "./sms-sender";
import { TwilioSender } from "./twilio";

/** `SMS_PROVIDER` = `dev-outbox` (the default in development) or `twilio` (the default elsewhere). */
export function chooseSender(env: Env): SmsSender {
  const provider = env.SMS_PROVIDER ?? (env.ENVIRONMENT === "development" ? "dev-outbox" : "twilio");
  if (provider === "dev-outbox") return new DevOutboxSender(env.DB);
  return new TwilioSender({
    accountSid: env.TWILIO_ACCOUNT_SID ?? "",
    authToken: env.TWILIO_AUTH_TOKEN ?? "",
    from: env.TWILIO_FROM ?? "",
    baseUrl: env.SMS_API_BASE ?? "https://api.twilio.com",
  });
}
