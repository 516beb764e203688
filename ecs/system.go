package ecs

// system is the System channel: the system integration's pipeline
// (system/default.yml) maps no event fields, so records keep the collector
// fields; the table adds the rendered task name eqld cannot render (104
// "Log clear", which Elastic's log-clearing rule matches on).
func (c *ctx) system() {
	if s := c.spec; s != nil {
		c.setCategorization(s)
	}
}

// winrm maps Microsoft-Windows-WinRM/Operational, which no Elastic
// pipeline covers (Elastic Agent would ship it through the custom winlog
// integration, unmapped). eqld adds categorisation and the user so that
// WinRM activity can be queried like other sources; see
// docs/ecs-mapping.md.
func (c *ctx) winrm() {
	d := c.d
	if s := c.spec; s != nil {
		c.setCategorization(s)
	}
	if c.r.UserID != "" {
		d.SetString("user.id", c.r.UserID)
	}
	switch c.code {
	case "91":
		if v, ok := c.nonEmpty("resourceUri"); ok {
			d.SetString("url.original", v)
		}
	case "169":
		if v, ok := c.nonEmpty("username"); ok {
			if setDomainUser(d, v, userF) {
				// user.id above is the WinRM service's SID, not the
				// authenticated user's.
				d.Delete("user.id")
			} else {
				d.SetString("user.name", v)
			}
			if n, ok := d.String("user.name"); ok {
				d.appendUnique("related.user", n)
			}
		}
		d.SetString("event.outcome", "success")
	}
}
