// Public API of @hotplug/app-pretrain: everything a user may import is exported here.
export {};
