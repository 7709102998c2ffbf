// Local tools run on Node 20 with SDK versions pinned in package-lock.json; Lambda runs
// Node 22. The SDK's "future versions need Node 22" notice says nothing actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
