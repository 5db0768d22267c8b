# Varnish in front of gunicorn (docker-compose.yml "proxy"): caches what the app labels public.
#
# The app decides what may be shared: anonymous public pages, HSDS and iCal answers say
# "Cache-Control: public, max-age=60, s-maxage=600" (tsunagu/page_cache.py), static files
# "public, max-age=…, immutable" (WhiteNoise). Anything else — no Cache-Control, private,
# no-store, a Set-Cookie — goes to the app every time. Varnish keeps objects for s-maxage.
#
# On any publish the app sends PURGE (Wagtail's frontend cache, HTTPBackend; FRONTEND_CACHE_URL)
# and this bans the whole host: the app's own cache drops every page on any change too, because
# a listing's name shows on the directory, its map and print list, the calendar, its place's
# page and the home page, and tracking which pages showed what is not worth a stale page.
vcl 4.1;

# The app. tests/tsunagu/test_varnish_proxy.py points these two lines at its live server.
backend default {
    .host = "web";
    .port = "8000";
    .connect_timeout = 5s;
    .first_byte_timeout = 60s;
}

# Who may PURGE: the app's own network (compose's bridge network, or loopback).
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "PURGE not allowed"));
        }
        # The whole host, whatever path Wagtail names (it sends the site's root with "/*").
        ban("obj.http.X-Cache-Host == " + regsub(req.http.host, ":[0-9]+$", ""));
        return (synth(200, "Banned"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Staff and admin: a session (a logged-in editor, coordinator or volunteer) or messages
    # waiting to be shown make the answer personal. The admin never is anything else.
    if (req.url ~ "^/admin(/|$)" || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Other cookies (csrftoken, anything a browser carries) change nothing a stored answer says:
    # kept aside for the app, so a page with a form does not issue a new CSRF cookie, but out of
    # the request the stored answers' "Vary: Cookie" is matched against.
    if (req.http.Cookie) {
        set req.http.X-Kept-Cookie = req.http.Cookie;
        unset req.http.Cookie;
    }
    return (hash);
}

sub vcl_hash {
    # http and https answers differ (the app redirects one to the other).
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_fetch {
    if (bereq.http.X-Kept-Cookie) {
        set bereq.http.Cookie = bereq.http.X-Kept-Cookie;
        unset bereq.http.X-Kept-Cookie;
    }
}

sub vcl_backend_response {
    # Only what the app says anyone may share; the built-in rules then refuse Set-Cookie,
    # private, no-store and "Vary: *".
    if (beresp.http.Cache-Control !~ "(^|,)\s*public\s*(,|$)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # What a ban matches (bans on obj.* are tested by the background lurker).
    set beresp.http.X-Cache-Host = regsub(bereq.http.host, ":[0-9]+$", "");
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    unset resp.http.X-Cache-Host;
}
