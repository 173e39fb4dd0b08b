# Thin wrapper: the logic lives in scripts/install (PREFIX, DESTDIR, SYSTEMD_UNIT_DIR… as documented there).
PREFIX ?= /usr/local
export PREFIX DESTDIR SYSTEMD_UNIT_DIR SYSUSERS_DIR TMPFILES_DIR CONFIG_DIR TLSFLOORD_BINARY

.PHONY: install
install:
	./scripts/install
