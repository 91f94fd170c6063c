// Public API of @hotplug/index: everything a user may import is exported here.
export {};
