// Public API of @hotplug/app-taca: everything a user may import is exported here.
export {};
