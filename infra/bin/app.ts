import { buildApp } from '../paddock-app.js';

// `cdk synth` / `cdk deploy` entry point (see cdk.json).
buildApp().app.synth();
