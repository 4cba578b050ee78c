#!/usr/bin/env node
// `hipmm` command: runs the compiled CLI from dist/ (built by `npm install` / prepare).
import { main } from "../dist/cli/main.js";

// `hipmm decode … | head` closes the pipe early: that is not an error.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
