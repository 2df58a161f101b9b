// Prettier, set to the style the code was written in: long lines (160), single quotes, semicolons,
// trailing commas, parentheses around every arrow parameter; Svelte files through its plugin.
// `npm run format` rewrites, `npm run format:check` lists what it would change (not part of npm test).
/** @type {import('prettier').Config} */
export default {
  printWidth: 160,
  singleQuote: true,
  semi: true,
  trailingComma: 'all',
  arrowParens: 'always',
  plugins: ['prettier-plugin-svelte'],
  overrides: [{ files: '*.svelte', options: { parser: 'svelte' } }],
};
