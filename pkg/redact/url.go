package redact

import (
	"net/url"
	"strings"
)

// URLMask stands for a credential taken out of a URL.
const URLMask = "REDACTED"

// URL returns raw with its credentials masked: the userinfo (a password,
// or a user name alone, which servers take as a token) and the values of
// query parameters whose names say they hold a credential (api-key, key,
// token, sig, ...). It also returns the credentials, so a Redactor can
// remove them wherever else they appear. Text that does not parse as a URL
// with a host is returned as it is.
func URL(raw string) (string, []string) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw, nil
	}
	var creds []string
	if u.User != nil {
		name := u.User.Username()
		if pw, ok := u.User.Password(); ok {
			creds = append(creds, pw)
			u.User = url.UserPassword(name, URLMask)
		} else if name != "" {
			creds = append(creds, name)
			u.User = url.User(URLMask)
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		changed := false
		for k, vs := range q {
			if !secretParam(k) {
				continue
			}
			for i, v := range vs {
				if v != "" && v != URLMask {
					creds = append(creds, v)
					vs[i] = URLMask
					changed = true
				}
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if len(creds) == 0 {
		return raw, nil
	}
	return u.String(), creds
}

// secretParam says whether a query parameter's name marks a credential.
func secretParam(k string) bool {
	k = strings.NewReplacer("-", "", "_", "").Replace(strings.ToLower(k))
	switch k {
	case "key", "apikey", "token", "accesstoken", "auth", "authorization", "sig", "signature", "secret", "password", "pass", "pwd", "code", "subscriptionkey":
		return true
	}
	return secretName(k)
}

// With returns a Redactor that also removes values.
func (r *Redactor) With(values ...string) *Redactor {
	if r == nil {
		return New(values...)
	}
	return New(append(append([]string(nil), r.raw...), values...)...)
}
