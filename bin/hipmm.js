#!/usr/bin/env node
// `hipmm` command: runs the compiled CLI from dist/ (built by `npm install` / prepare).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
