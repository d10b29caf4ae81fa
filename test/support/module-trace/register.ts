// `node --import <this file>`: records every module URL the process resolves into $MODULE_TRACE_FILE, so a test can
// say which packages a program loads (the hooks run on their own thread; a file is the simplest way back).
import { register } from 'node:module';

register('./hooks.js', import.meta.url);
