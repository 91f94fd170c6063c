// Public API of @hotplug/app-contcoop: everything a user may import is exported here.
export {};
