// Public API of @hotplug/taca: everything a user may import is exported here.
export {};
