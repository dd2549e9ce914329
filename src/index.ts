import { buildApp } from "./app";

export { AccountDO } from "./accounts/account-do";

export default buildApp();
