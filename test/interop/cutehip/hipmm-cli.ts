// Runs `hipmm …` from the sources (no dist/ needed) in a child process for the cutehip test.
import { main } from "../../../src/cli/main.ts";

process.exitCode = await main(process.argv.slice(2));
