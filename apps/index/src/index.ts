// Public API of @hotplug/app-index: everything a user may import is exported here.
export {};
