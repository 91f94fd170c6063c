// Public API of @hotplug/contcoop: everything a user may import is exported here.
export {};
