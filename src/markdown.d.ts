/** A Markdown file imported is its text (wrangler.toml's Text rule; vitest.config.ts for the tests). */
declare module "*.md" {
  const text: string;
  export default text;
}
